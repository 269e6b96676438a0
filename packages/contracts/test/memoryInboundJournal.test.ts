import { deadLettersContract, inboundJournalContract } from "@openpollen/contracts"
import { MemoryInboundJournal, makeMemoryJournalBacking } from "@openpollen/core/testing"

const instances = () => {
  const backing = makeMemoryJournalBacking()
  return {
    open: (options: { readonly leaseMs: number; readonly maxDeliveries?: number }) =>
      MemoryInboundJournal.layer(backing, { pollEveryMs: 25, ...options }),
  }
}

inboundJournalContract("MemoryInboundJournal", instances)
deadLettersContract("MemoryInboundJournal", instances)
