import type { DriveSpec } from '../config/index.js';
import { LinuxDrive } from './linux/index.js';
import { SimulatedDrive } from './simulated.js';
import type { Drive } from './types.js';

/** The Drive for one entry of the `drives` option: simulated folder or Linux device. */
export function createDrive(spec: DriveSpec): Drive {
  switch (spec.kind) {
    case 'simulated':
      return new SimulatedDrive(spec.id, spec.folder);
    case 'device':
      return new LinuxDrive(spec.path, spec.id);
  }
}
