// Protection-key systems (docs/mechanisms.md §2.4): a domain that writes pkr only through its gate is
// built and boots on a machine with `pkey`; one that writes it anywhere else is refused when its image
// is built (the modules are fixed in the image: this is their load-time inspection).
import { describe, expect, it } from 'vitest';
import { pkeyAttack, pkeyPolite } from '../kernel-images/systems/pkeys.js';
import { boot, build } from './kernel-helpers.js';

describe('protection-key systems', () => {
  it('pkey-polite: passes the inspection, boots, changes its rights through its gate', async () => {
    const r = await boot(pkeyPolite, { ext: ['pkey'] }, { xpc: false });
    expect(r.console).toContain('polite: rights changed through the gate');
    expect(r.console).toMatch(/polite \(pid 0\) exited with code 0/);
  });

  it('pkey-attack: a pkr write outside the gate refuses the image, naming the program and the address', async () => {
    await expect(build(pkeyAttack, { xpc: false })).rejects.toThrow(/pkey-attack: rogue writes pkr outside its gate at 0x[0-9a-f]+ \(0x80201073\): refused/);
  });
});
