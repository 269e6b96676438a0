/** Payload fields may be absent or `null`; both mean "not there". */
export const defined = <A>(value: A | null | undefined): value is A => value !== undefined && value !== null
