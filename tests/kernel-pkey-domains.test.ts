// Protection-key domains inside one process (docs/mechanisms.md §2.6, kernel-images/pkey-domains.ts)
// booted on rvx with `pkey`: calls through the gate, and each attack on the isolation the domains keep.
import { describe, expect, it } from 'vitest';
import { PKEY_DOMAIN_CALLS, PKEY_EXT, PKEY_KERNEL, pkeyDomains, pkeyReplay } from '../kernel-images/systems/pkeys.js';
import { boot } from './kernel-helpers.js';

const run = (attack: Parameters<typeof pkeyDomains>[0]) => boot(pkeyDomains(attack), { ext: [...PKEY_EXT] }, PKEY_KERNEL);

describe('protection-key domains in one process', () => {
  it('the main domain calls the vault domain through its gate; each keeps its own data', async () => {
    const r = await run('none');
    expect(r.console).toContain(`pkmain: ${PKEY_DOMAIN_CALLS} domain calls through the gate ok`);
    expect(r.console).not.toContain('FAIL');
    expect(r.console).toMatch(/pkmain \(pid 0\) exited with code 0/);
  });

  it('attack: a domain reads another domain\'s data: key fault, the process is killed', async () => {
    const r = await run('peek');
    const secret = r.image.programs[0].symbols.get('main_secret')!;
    expect(r.console).toMatch(new RegExp(`killed pkmain \\(pid 0\\): load page fault at pc=0x[0-9a-f]+ tval=0x${secret.toString(16)}`));
    expect(r.console).not.toContain('domain calls through the gate ok');
  });

  it('attack: a domain jumps into its gate\'s return path with the caller\'s rights: the gate aborts', async () => {
    const r = await run('gatejump');
    expect(r.console).toMatch(/killed pkmain \(pid 0\): breakpoint/);
    expect(r.console).not.toContain('domain calls through the gate ok');
  });

  it('attack: a domain jumps straight to a pkr write with every key open in the register: the check aborts', async () => {
    const r = await run('forge');
    expect(r.console).toMatch(/killed pkmain \(pid 0\): breakpoint/);
  });

  it('what it gives up: one address space, a domain runs another domain\'s code (keys guard data, not fetches)', async () => {
    const r = await run('exec');
    expect(r.console).toContain('pkmain: the vault ran the main domain\'s code');
    expect(r.console).toContain('domain calls through the gate ok');
  });

  it('attack: a domain jumps to the last write of another edge\'s gate to replay a stale return: the return-slot check aborts', async () => {
    const r = await boot(pkeyReplay(), { ext: [...PKEY_EXT] }, PKEY_KERNEL);
    expect(r.console).toMatch(/killed pkmain \(pid 0\): breakpoint/);
    expect(r.console).not.toContain('REPLAY');
    // without that check the replay works: bee's code runs again with the attacker's registers
    const u = await boot(pkeyReplay(true), { ext: [...PKEY_EXT] }, PKEY_KERNEL);
    expect(u.console).toContain('pkmain: REPLAY: bee resumed after its old call');
  });

  it('the image builder refuses a domain that writes pkr itself', async () => {
    const sys = pkeyDomains('none');
    sys.programs[0].text = sys.programs[0].text.replace('vault_call:', 'vault_call:\n    csrw pkr, zero');
    await expect(boot(sys, { ext: [...PKEY_EXT] }, PKEY_KERNEL)).rejects.toThrow(/writes pkr outside its gate/);
  });
});
