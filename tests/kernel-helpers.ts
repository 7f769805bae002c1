// Shared by the kernel tests: build a system image with rvx's assembler and boot it on rvx's machine.

import { bootImage, type BootOptions, type BootResult } from '../kernel-images/boot.js';
import { rvxAssemble } from '../kernel-images/assemble.js';
import { buildImage, type KernelImage } from '../kernel-images/image.js';
import type { KernelConfig } from '../kernel-images/kernel.js';
import type { SystemSpec } from '../kernel-images/system.js';

export async function build(sys: SystemSpec, cfg: Partial<KernelConfig> = {}): Promise<KernelImage> {
  return buildImage(sys, rvxAssemble, cfg);
}

export async function boot(sys: SystemSpec, opts: BootOptions = {}, cfg: Partial<KernelConfig> = {}): Promise<BootResult & { image: KernelImage }> {
  const image = await build(sys, cfg);
  return { ...bootImage(image, { maxInsns: 40_000_000, ...opts }), image };
}
