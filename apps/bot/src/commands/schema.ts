import * as Schema from "effect/Schema"
import { ConfigFile } from "../config/ConfigFile.js"

/** The JSON Schema of openpollen.json, for editor completion. */
export const configJsonSchema = () => {
  const document = Schema.toJsonSchemaDocument(ConfigFile)
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "openpollen.json",
    ...document.schema,
    ...(Object.keys(document.definitions ?? {}).length > 0 ? { $defs: document.definitions } : {}),
  }
}
