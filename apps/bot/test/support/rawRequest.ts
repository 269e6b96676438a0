import { request } from "node:http"

export interface RawResponse {
  readonly status: number
  readonly body: string
}

/** An HTTP request with headers fetch() will not let a test set (Host), as a browser or rebinding page sends them. */
export const rawRequest = (
  url: string,
  options: {
    readonly method?: string
    readonly headers?: Record<string, string>
    readonly body?: string
  } = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method ?? "GET", headers: options.headers ?? {} },
      (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => {
          body += chunk
        })
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    outgoing.on("error", reject)
    outgoing.end(options.body)
  })
