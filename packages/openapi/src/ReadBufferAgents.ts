import { Agent as HttpAgent } from "node:http"
import { Agent as HttpsAgent } from "node:https"
import { type NetConnectOpts, connect as netConnect, type Socket } from "node:net"
import { type ConnectionOptions, connect as tlsConnect } from "node:tls"

const READ_BUFFER_BYTES = 64 * 1024
const readBuffers = new WeakSet<ArrayBufferLike>()

/** True for the memory a socket reads into: it is reused, so no chunk over it may be kept or released. */
export const isReadBuffer = (buffer: ArrayBufferLike): boolean => readBuffers.has(buffer)

/**
 * Reads the socket into one buffer it reuses for every read (`onread`) and hands each read to Node's HTTP parser as
 * a `data` event. The parser runs synchronously and copies body bytes out, so nothing keeps the reused buffer.
 * A plain socket allocates a fresh buffer per read that only a GC frees: 50 MB of download left ~32 MB of them.
 */
const readingIntoOneBuffer = <O extends object>(connect: (options: O) => Socket) => {
  return (options: O): Socket => {
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)
    readBuffers.add(buffer.buffer)
    const socket: Socket = connect({
      ...options,
      onread: { buffer, callback: (read: number) => void socket.emit("data", buffer.subarray(0, read)) },
    })
    return socket
  }
}

/** Agents for one-off downloads: no keep-alive (a download is rare and large), sockets read into one buffer each. */
export const makeReadBufferAgents = () => {
  const http = new HttpAgent({ keepAlive: false })
  http.createConnection = readingIntoOneBuffer((options: NetConnectOpts) => netConnect(options))
  const https = new HttpsAgent({ keepAlive: false })
  https.createConnection = readingIntoOneBuffer((options: ConnectionOptions) => tlsConnect(options))
  return { http, https }
}
