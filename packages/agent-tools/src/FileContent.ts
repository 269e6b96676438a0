export type ImageMediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp"

/** What `read_file` hands back to an agent, which turns it into its API's tool result. */
export type FileContent =
  | { readonly _tag: "Text"; readonly text: string }
  | {
      readonly _tag: "Image"
      readonly name: string
      readonly mediaType: ImageMediaType
      readonly bytes: Uint8Array
    }
  /** Not served (outside the allowed folders, a link out of them, not a regular file, missing): the reason. */
  | { readonly _tag: "Refused"; readonly message: string }
