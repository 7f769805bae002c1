// A 16550-compatible UART (register shift 0, 8 byte-wide registers) at 0x10000000, as on Spike's and
// QEMU's virt-style boards. Transmit goes straight to the host; receive polls the host's input.
// No interrupt line is wired (the machine has no PLIC): IER is stored and IIR always reads "none pending".

export const UART_BASE = 0x10000000;
export const UART_SIZE = 0x100;

const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LCR_DLAB = 0x80;

export class Uart16550 {
  private ier = 0;
  private fcr = 0;
  private lcr = 0;
  private mcr = 0;
  private msr = 0;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  /** One byte taken from the host's input but not yet read from RBR (-1: none). */
  private pending = -1;

  constructor(
    private readonly out: (b: Uint8Array) => void,
    private readonly input: () => number,
  ) {}

  private poll(): boolean {
    if (this.pending < 0) this.pending = this.input();
    return this.pending >= 0;
  }

  read(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case 0: {
        if (dlab) return this.dll;
        if (!this.poll()) return 0;
        const b = this.pending & 0xff;
        this.pending = -1;
        return b;
      }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: return ((this.fcr & 1) !== 0 ? 0xc0 : 0) | 0x01; // no interrupt pending
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: return LSR_THRE | LSR_TEMT | (this.poll() ? LSR_DR : 0);
      case 6: return this.msr;
      case 7: return this.scr;
      default: return 0;
    }
  }

  write(offset: number, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case 0:
        if (dlab) this.dll = v;
        else this.out(Uint8Array.of(v));
        break;
      case 1:
        if (dlab) this.dlm = v;
        else this.ier = v & 0x0f;
        break;
      case 2: this.fcr = v; break;
      case 3: this.lcr = v; break;
      case 4: this.mcr = v & 0x1f; break;
      case 6: this.msr = v; break;
      case 7: this.scr = v; break;
      default: break; // LSR is read-only
    }
  }
}
