/** Collects what went wrong while reading a disc, deduplicated and bounded (a hostile disc could repeat one fault endlessly). */
export class Warnings {
  private readonly items: string[] = [];

  constructor(private readonly max = 20) {}

  add(message: string): void {
    if (this.items.length >= this.max || this.items.includes(message)) return;
    this.items.push(message.length > 300 ? `${message.slice(0, 297)}...` : message);
  }

  list(): string[] {
    return [...this.items];
  }
}
