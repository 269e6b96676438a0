/** The text of a PDF's pages, page after page; undefined when it cannot be parsed. pdf.js loads on the first PDF. */
export const pdfText = async (bytes: Uint8Array): Promise<string | undefined> => {
  try {
    const { extractText, getDocumentProxy } = await import("unpdf")
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    const document = await getDocumentProxy(bytes.slice())
    return (await extractText(document, { mergePages: true })).text
  } catch {
    return undefined
  }
}
