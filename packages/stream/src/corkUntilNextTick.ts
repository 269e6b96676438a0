import type { Socket } from "node:net"
import type WebSocket from "ws"

const corked = new WeakSet<Socket>()

/**
 * Holds the TCP socket's writes until the current tick ends, so the ACKs for every callback of one socket read leave
 * in one write instead of one syscall each. Reads ws's private `_socket` (ws 8.x; pinned by a test).
 */
export const corkUntilNextTick = (socket: WebSocket): void => {
  const tcp = (socket as unknown as { _socket?: Socket })._socket
  if (tcp === undefined || corked.has(tcp)) return
  corked.add(tcp)
  tcp.cork()
  process.nextTick(() => {
    corked.delete(tcp)
    tcp.uncork()
  })
}
