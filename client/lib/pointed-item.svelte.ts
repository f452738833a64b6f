// The item of a list under the pointer (or the keyboard's focus): its `data-index`, -1 for none.
// Lists that rewrite their items on every live update give only this one a hover text (a `title`
// changed on each update restyles its element, for a text read now and then). Its handlers are
// delegated: put them on the list.
export class PointedItem {
  index = $state(-1);

  /** From an event inside the list (pointerover, focusin): the item it happened in. */
  readonly at = (e: Event): void => {
    const item = (e.target as Element | null)?.closest<HTMLElement>('[data-index]');
    this.index = item ? Number(item.dataset.index) : -1;
  };

  /** The pointer or the focus left the list (pointerleave, focusout). */
  readonly clear = (): void => {
    this.index = -1;
  };
}
