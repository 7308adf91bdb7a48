import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readSimState, simInsert, simRemoveDisc, trayImage, updateSimState } from '../drive/index.js';

const USAGE = `Usage: disk2iso sim <action> FOLDER [args]

  insert FOLDER IMAGE [--speed BYTES_PER_S] [--bad-sectors N,N,...]
                        IMAGE: an ISO, or a BIN/CUE audio/mixed CD given by its .cue
  eject FOLDER          take the disc out, tray open
  remove FOLDER         take the disc out, tray stays as it is
  open FOLDER | close FOLDER
  unplug FOLDER | replug FOLDER
  status FOLDER`;

function numbers(text: string | undefined): number[] {
  if (!text) return [];
  return text.split(',').map((n) => {
    const value = Number(n.trim());
    if (!Number.isInteger(value) || value < 0) throw new Error(`not a sector number: "${n}"`);
    return value;
  });
}

/** `disk2iso sim ...`: steers a simulated drive folder from another terminal or a script. */
export async function main(args: string[]): Promise<number> {
  const [action, folderArg, ...rest] = args;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!action || !folderArg) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const folder = resolve(folderArg);
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  switch (action) {
    case 'insert': {
      const image = rest[0];
      if (!image) throw new Error('insert needs an IMAGE');
      await access(image);
      await simInsert(folder, image, {
        bytes_per_second: Number(flag('--speed') ?? 0),
        bad_sectors: numbers(flag('--bad-sectors')),
      });
      break;
    }
    case 'eject':
      await simRemoveDisc(folder);
      await updateSimState(folder, { tray_open: true });
      break;
    case 'remove':
      await simRemoveDisc(folder);
      break;
    case 'open':
      await updateSimState(folder, { tray_open: true });
      break;
    case 'close':
      await updateSimState(folder, { tray_open: false });
      break;
    case 'unplug':
      await updateSimState(folder, { unplugged: true });
      break;
    case 'replug':
      await updateSimState(folder, { unplugged: false });
      break;
    case 'status':
      break;
    default:
      process.stderr.write(`unknown action "${action}"\n${USAGE}\n`);
      return 2;
  }
  process.stdout.write(`${JSON.stringify({ ...(await readSimState(folder)), disc: await trayImage(folder) })}\n`);
  return 0;
}
