export * from "./FileTokenStore.js"
export * from "./LocalFileStore.js"
export * from "./sniffExtension.js"
export * from "./sweepUploads.js"
