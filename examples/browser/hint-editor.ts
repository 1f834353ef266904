/**
 * Colour points on the example page (Zhang et al. 2017's interface, simplified): click the colorized picture to
 * place a point with the chosen colour, drag a point to move it, pick a colour for the selected point, remove
 * points from the list. Points are kept in the photo's own pixels and saved and loaded as the hints-file JSON
 * the command line reads (`formatHintsJson` / `parseHintsJson`).
 */
import { formatHintsJson, labPlanesToRgb, parseHintsJson, type ColorHint } from 'tfjs-colorization';

/** A point on the page: photo pixels and a '#rrggbb' colour. */
export interface PagePoint {
  x: number;
  y: number;
  color: string;
}

/** What the editor needs from the page. */
export interface HintEditorElements {
  /** The box around the colorized canvas; markers are placed in it. */
  stage: HTMLElement;
  canvas: HTMLCanvasElement;
  colorInput: HTMLInputElement;
  list: HTMLOListElement;
  clearButton: HTMLButtonElement;
  saveButton: HTMLButtonElement;
  loadInput: HTMLInputElement;
}

/** Distance in CSS pixels within which a press grabs an existing point instead of placing a new one. */
const GRAB_RADIUS = 10;

export class HintEditor {
  private points: PagePoint[] = [];
  private selected = -1;
  private photo: { width: number; height: number; name: string } | undefined;
  private enabled = false;

  constructor(
    private readonly elements: HintEditorElements,
    /** Called after every change that should recolorize (not during a drag). */
    private readonly onChange: () => void,
    private readonly onError: (error: unknown) => void,
  ) {
    const { stage, colorInput, clearButton, saveButton, loadInput } = elements;
    stage.addEventListener('pointerdown', (event) => this.press(event));
    colorInput.addEventListener('input', () => {
      if (this.selected < 0) return;
      this.points[this.selected].color = colorInput.value;
      this.render();
    });
    colorInput.addEventListener('change', () => this.selected >= 0 && this.onChange());
    clearButton.addEventListener('click', () => {
      this.points = [];
      this.selected = -1;
      this.render();
      this.onChange();
    });
    saveButton.addEventListener('click', () => this.save());
    loadInput.addEventListener('change', () => {
      const file = loadInput.files?.[0];
      loadInput.value = '';
      if (file !== undefined) void this.load(file);
    });
  }

  /** A new photo (its size, for coordinates): points are cleared. */
  setPhoto(photo: { width: number; height: number; name: string } | undefined): void {
    this.photo = photo;
    this.points = [];
    this.selected = -1;
    this.render();
  }

  /** Whether the loaded model takes points (the editor does nothing otherwise). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.render();
  }

  /** The points as the library takes them. */
  hints(): ColorHint[] {
    return this.points.map(({ x, y, color }) => ({ x, y, color }));
  }

  /** Photo pixel under a pointer event (the canvas is scaled by CSS). */
  private photoPixel(event: PointerEvent): { x: number; y: number } {
    const box = this.elements.canvas.getBoundingClientRect();
    const { width, height } = this.photo!;
    const x = Math.min(width - 1, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * width)));
    const y = Math.min(height - 1, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * height)));
    return { x, y };
  }

  private press(event: PointerEvent): void {
    if (!this.enabled || this.photo === undefined || event.button !== 0) return;
    event.preventDefault();
    const box = this.elements.canvas.getBoundingClientRect();
    const scale = box.width / this.photo.width;
    const at = this.photoPixel(event);
    let index = this.points.findIndex((p) => Math.hypot((p.x - at.x) * scale, (p.y - at.y) * scale) <= GRAB_RADIUS);
    if (index < 0) {
      this.points.push({ ...at, color: this.elements.colorInput.value });
      index = this.points.length - 1;
    }
    this.selected = index;
    this.elements.colorInput.value = this.points[index].color;
    this.render();
    // Moves and the release are followed on the window, so a drag that leaves the picture still ends.
    const move = (e: PointerEvent) => {
      if (e.pointerId !== event.pointerId) return;
      Object.assign(this.points[index], this.photoPixel(e));
      this.render();
    };
    const release = (e: PointerEvent) => {
      if (e.pointerId !== event.pointerId) return;
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', release);
      window.removeEventListener('pointercancel', release);
      this.onChange();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', release);
    window.addEventListener('pointercancel', release);
  }

  private remove(index: number): void {
    this.points.splice(index, 1);
    this.selected = -1;
    this.render();
    this.onChange();
  }

  private save(): void {
    const stem = (this.photo?.name ?? 'photo').replace(/\.[^.]+$/, '');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([formatHintsJson(this.hints())], { type: 'application/json' }));
    link.download = `${stem}.hints.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  private async load(file: File): Promise<void> {
    try {
      const points = parseHintsJson(await file.text(), file.name);
      this.points = points.map((p) => ({ x: p.x, y: p.y, color: toHex(p.color) }));
      this.selected = -1;
      this.render();
      this.onChange();
    } catch (e) {
      this.onError(e);
    }
  }

  /** Markers over the canvas (positions in % of the photo) and the list with remove buttons. */
  private render(): void {
    const { stage, list, saveButton, clearButton } = this.elements;
    stage.classList.toggle('hints-enabled', this.enabled && this.photo !== undefined);
    stage.querySelectorAll('.hint-marker').forEach((marker) => marker.remove());
    list.replaceChildren();
    saveButton.disabled = this.photo === undefined || !this.enabled;
    clearButton.disabled = this.points.length === 0;
    if (this.photo === undefined) return;
    const { width, height } = this.photo;
    this.points.forEach((p, i) => {
      const marker = document.createElement('div');
      marker.className = `hint-marker${i === this.selected ? ' selected' : ''}`;
      marker.style.left = `${((p.x + 0.5) / width) * 100}%`;
      marker.style.top = `${((p.y + 0.5) / height) * 100}%`;
      marker.style.background = p.color;
      marker.dataset.index = String(i);
      stage.append(marker);
      const item = document.createElement('li');
      item.textContent = `(${p.x}, ${p.y}) ${p.color} `;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'remove-hint';
      button.textContent = 'remove';
      button.addEventListener('click', () => this.remove(i));
      item.append(button);
      list.append(item);
    });
  }
}

/** '#rrggbb' for the colour input; `{ a, b }` colours from a file become the sRGB colour of that chroma at L = 50. */
function toHex(color: ColorHint['color']): string {
  if (typeof color === 'string') return color.toLowerCase();
  const rgb = Array.isArray(color)
    ? color
    : labPlanesToRgb(
        Float32Array.of(50),
        Float32Array.of((color as { a: number }).a),
        Float32Array.of((color as { b: number }).b),
      );
  return `#${Array.from(rgb as ArrayLike<number>, (v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}
