import { installCrane as install } from "../../build/crane.js";

/** go-containerregistry's crane (build/crane.ts), which `npm run image` and test/image use; built once into the tool cache. */
export function installCrane(): Promise<string> {
  return install({ onProgress: (line) => console.error(`crane: ${line}`) });
}
