import { h } from './element.js';

/** The layer above every screen where call dialogs go (rings arrive on any screen). */
export function overlayLayer(): HTMLElement {
  const existing = document.getElementById('overlays');
  if (existing !== null) return existing;
  const layer = h('div', { id: 'overlays', class: 'overlays' });
  document.body.append(layer);
  return layer;
}
