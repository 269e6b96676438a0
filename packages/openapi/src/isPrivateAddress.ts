import { BlockList, isIP } from "node:net"

const PRIVATE = new BlockList()
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv4")
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv6")

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/**
 * Whether an IP address is loopback, private, link-local (cloud metadata lives there), shared, multicast or
 * reserved: nowhere a download URL from DingTalk should lead. Anything that is not an IP address counts as private.
 */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address
  const mapped = MAPPED_V4.exec(bare)?.[1]
  if (mapped !== undefined) return isPrivateAddress(mapped)
  const family = isIP(bare)
  if (family === 0) return true
  return PRIVATE.check(bare, family === 4 ? "ipv4" : "ipv6")
}
