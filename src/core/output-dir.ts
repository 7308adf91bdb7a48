import { access, constants, mkdir, stat } from 'node:fs/promises';
import { Disk2isoError, errnoCode, errorMessage } from '../util/errors.js';

/** The output folder cannot be used: the core does not start (DOCS: "a wrong value stops the add-on"). */
class OutputDirError extends Disk2isoError {
  constructor(outputDir: string, reason: string, cause?: unknown) {
    super(`option "output_dir": ${outputDir} is not usable: ${reason}`, { cause, context: { output_dir: outputDir } });
  }
}

/** Creates the output folder if needed and checks it is a writable directory; throws OutputDirError. */
export async function checkOutputDir(outputDir: string): Promise<void> {
  try {
    await mkdir(outputDir, { recursive: true });
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw new OutputDirError(outputDir, `cannot create it (${errorMessage(error)})`, error);
  }
  const info = await stat(outputDir).catch((error: unknown) => {
    throw new OutputDirError(outputDir, errorMessage(error), error);
  });
  if (!info.isDirectory()) throw new OutputDirError(outputDir, 'it is not a directory');
  await access(outputDir, constants.W_OK | constants.X_OK).catch((error: unknown) => {
    throw new OutputDirError(outputDir, `not writable (${errnoCode(error) ?? errorMessage(error)})`, error);
  });
}
