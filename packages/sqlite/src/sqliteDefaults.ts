import { homedir } from "node:os"
import { join } from "node:path"

/** The database's file name in the state folder. */
export const SQLITE_FILE_NAME = "openpollen.sqlite"
export const DEFAULT_SQLITE_PATH = () => join(homedir(), ".openpollen", "state", SQLITE_FILE_NAME)
