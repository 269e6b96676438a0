import { ids } from "./ids.js"
import type { AppOptions, SimApp, SimConversation, SimUser } from "./SimulatorApi.js"

export const DEFAULT_APP: AppOptions = {
  clientId: "dingsimulatorapp0001",
  clientSecret: "sim-secret-do-not-use",
}
const CORP_ID = "dingsimcorp0000000001"

/** The apps, users and conversations the simulated DingTalk knows. */
export class Directory {
  readonly apps: ReadonlyArray<SimApp>
  private readonly usersByStaffId = new Map<string, SimUser>()
  private readonly dms = new Map<string, SimConversation>()
  private readonly conversations = new Map<string, SimConversation>()

  constructor(apps: ReadonlyArray<AppOptions>) {
    this.apps = apps.map((app) => ({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      robotCode: app.robotCode !== undefined && app.robotCode !== "" ? app.robotCode : app.clientId,
      chatbotUserId: app.chatbotUserId ?? ids.dingtalkId(),
      corpId: CORP_ID,
    }))
  }

  app(clientId?: string): SimApp {
    const app =
      clientId === undefined ? this.apps[0] : this.apps.find((candidate) => candidate.clientId === clientId)
    if (app === undefined) throw new Error(`the simulator knows no app ${clientId ?? "(none configured)"}`)
    return app
  }

  /** The app objects are shared with the scenario API, so the new secret shows in `simulator.app` too. */
  rotateSecret(newSecret: string, clientId?: string): void {
    ;(this.app(clientId) as { clientSecret: string }).clientSecret = newSecret
  }

  appByRobotCode(robotCode: unknown): SimApp | undefined {
    return this.apps.find((app) => app.robotCode === robotCode)
  }

  addUser(options: {
    readonly nick: string
    readonly staffId?: string
    readonly sameOrg?: boolean
  }): SimUser {
    const sameOrg = options.sameOrg ?? true
    const user: SimUser = {
      dingtalkId: ids.dingtalkId(),
      nick: options.nick,
      ...(sameOrg ? { staffId: options.staffId ?? ids.staffId() } : {}),
    }
    if (user.staffId !== undefined) this.usersByStaffId.set(user.staffId, user)
    return user
  }

  userByStaffId(staffId: string): SimUser | undefined {
    return this.usersByStaffId.get(staffId)
  }

  dm(user: SimUser): SimConversation {
    const existing = this.dms.get(user.dingtalkId)
    if (existing !== undefined) return existing
    const conversation: SimConversation = { id: ids.conversationId(), kind: "dm", members: [user] }
    this.dms.set(user.dingtalkId, conversation)
    this.conversations.set(conversation.id, conversation)
    return conversation
  }

  group(options: { readonly title: string; readonly members: ReadonlyArray<SimUser> }): SimConversation {
    const conversation: SimConversation = {
      id: ids.conversationId(),
      kind: "group",
      title: options.title,
      members: options.members,
    }
    this.conversations.set(conversation.id, conversation)
    return conversation
  }

  conversation(id: string): SimConversation | undefined {
    return this.conversations.get(id)
  }
}
