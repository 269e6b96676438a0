import { extractText, getDocumentProxy } from "unpdf"

/** The text of a PDF's pages, page after page; undefined when it cannot be parsed. */
export const pdfText = async (bytes: Uint8Array): Promise<string | undefined> => {
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    const document = await getDocumentProxy(bytes.slice())
    return (await extractText(document, { mergePages: true })).text
  } catch {
    return undefined
  }
}
