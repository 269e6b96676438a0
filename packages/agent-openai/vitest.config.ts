import { openPollenVitest } from "../../vitest.shared.js"

export default openPollenVitest()
