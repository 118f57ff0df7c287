/**
 * The emulator for the COS benchmark, in its own process (so its storage never counts in a
 * client's RSS), storing objects on disk under TENCENTCLOUD_EMULATOR_COS_DIR. Sends its address
 * to the parent over IPC; stops when the parent disconnects.
 */
import * as Emulator from "../src/emulator/Emulator.js"

const emu = await Emulator.start({ recordLimit: 0 })
process.send?.({ address: emu.address })
process.on("disconnect", () => {
  void emu.close().then(() => process.exit(0))
})
