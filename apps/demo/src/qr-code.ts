import qrcode from 'qrcode-generator';
import { h } from './element.js';

/** Pixels per module; the quiet zone is 4 modules (ISO/IEC 18004 §6.3.8). */
const CELL = 4;
const QUIET = 4;

/**
 * A QR code of `text` drawn on a canvas (qrcode-generator, error correction M, the smallest
 * version that fits). A canvas, not an `<img>` or markup string, so the page's CSP and its
 * no-innerHTML rule need nothing extra.
 */
export function qrCanvas(text: string, label: string): HTMLCanvasElement {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const modules = qr.getModuleCount();
  const size = (modules + QUIET * 2) * CELL;
  const canvas = h('canvas', {
    class: 'qr-code',
    width: String(size),
    height: String(size),
    role: 'img',
    'aria-label': label,
    'data-modules': String(modules),
  });
  const context = canvas.getContext('2d');
  if (context === null) return canvas;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, size, size);
  context.fillStyle = '#000';
  for (let row = 0; row < modules; row++)
    for (let col = 0; col < modules; col++)
      if (qr.isDark(row, col))
        context.fillRect((col + QUIET) * CELL, (row + QUIET) * CELL, CELL, CELL);
  return canvas;
}
