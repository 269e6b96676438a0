import { describe, expect, it } from "vitest"
import { isPrivateAddress } from "../src/isPrivateAddress.js"

describe("isPrivateAddress", () => {
  it.each([
    "127.0.0.1",
    "127.5.6.7",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "[::1]",
    "::",
    "fe80::1",
    "fd00::1",
    "fc00::abcd",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "not-an-address",
    "",
  ])("refuses %s", (address) => {
    expect(isPrivateAddress(address)).toBe(true)
  })

  it.each([
    "8.8.8.8",
    "47.94.1.1",
    "172.32.0.1",
    "192.169.0.1",
    "100.128.0.1",
    "2400:3200::1",
    "::ffff:8.8.8.8",
  ])("allows the public address %s", (address) => {
    expect(isPrivateAddress(address)).toBe(false)
  })
})
