import { SeededRandom } from '../seeded-random.js';
import type { FindingSide, FindingSize, ImagingSignature } from './imaging-knowledge.js';

/** One finding as drawn: the condition's signature plus the free side and size. */
export interface DrawnFinding {
  signature: ImagingSignature;
  side: FindingSide;
  size: FindingSize;
}

/** A grayscale study: `size` x `size` pixels, row-major, 0 black to 255 white. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

interface Ellipse {
  x: number;
  y: number;
  rx: number;
  ry: number;
}

const inEllipse = (e: Ellipse, x: number, y: number): boolean =>
  ((x - e.x) / e.rx) ** 2 + ((y - e.y) / e.ry) ** 2 <= 1;

/** Intensities of the film: air outside the body, soft tissue, aerated lung, mediastinum, lesions. */
const tone = { air: 18, tissue: 112, lung: 58, heart: 165, dense: 215, lucent: 8, wall: 150 } as const;

/**
 * Draw a frontal chest film with one finding, procedurally and seeded: body outline, two lung
 * fields, the heart, then the lesion in the named lung (the patient's right is the image's left,
 * as films are read) and zone, with jitter in position, brightness and noise so no two studies
 * are pixel-identical. Coordinates are fractions of the side, so any size draws the same scene.
 */
export function drawChestFilm(finding: DrawnFinding, size: number, seed: number): GrayImage {
  const random = new SeededRandom(seed);
  const jitter = (amount: number) => (random.next() * 2 - 1) * amount;
  const large = finding.size === 'large';
  const lungs: Record<FindingSide, Ellipse> = {
    right: { x: 0.3 + jitter(0.015), y: 0.5, rx: 0.16, ry: 0.31 },
    left: { x: 0.7 + jitter(0.015), y: 0.5, rx: 0.16, ry: 0.31 },
  };
  const body: Ellipse = { x: 0.5, y: 0.56, rx: 0.47, ry: 0.44 };
  const heart: Ellipse = { x: 0.53 + jitter(0.02), y: 0.64, rx: 0.11, ry: 0.13 };
  const lung = lungs[finding.side];
  const lateral = finding.side === 'right' ? -1 : 1;
  const zoneY = (finding.signature.zone === 'upper' ? 0.36 : 0.66) + jitter(0.03);
  const lesionX = lung.x + lateral * 0.03 + jitter(0.03);
  const radius = (large ? 0.1 : 0.065) + jitter(0.01);
  // Multiple lesions are scattered over both lungs' upper halves.
  const spots: Ellipse[] = [];
  if (finding.signature.count === 'multiple') {
    const count = 3 + random.integer(3);
    for (let index = 0; index < count; index++) {
      const side = index % 2 === 0 ? lungs[finding.side] : lungs[finding.side === 'right' ? 'left' : 'right'];
      const r = (large ? 0.055 : 0.04) + jitter(0.008);
      spots.push({ x: side.x + jitter(0.08), y: 0.3 + random.next() * 0.3, rx: r, ry: r });
    }
  }
  const lesion = (x: number, y: number): number | undefined => {
    const { shape, density } = finding.signature;
    if (!inEllipse(lung, x, y)) return undefined;
    const d = Math.hypot(x - lesionX, y - zoneY);
    switch (shape) {
      case 'wedge': {
        // Apex toward the hilum, base on the chest wall.
        const edge = lung.x + lateral * lung.rx;
        const apex = lung.x - lateral * 0.06;
        const along = (x - apex) / (edge - apex);
        const half = (large ? 0.13 : 0.08) * along;
        return along >= 0 && along <= 1 && Math.abs(y - zoneY) <= half ? tone[density] : undefined;
      }
      case 'meniscus': {
        // Fluid fills the base and climbs the lateral wall.
        const lateralness = ((x - lung.x) * lateral) / lung.rx;
        const level = (large ? 0.6 : 0.68) - 0.07 * Math.max(0, lateralness);
        return y >= level ? tone[density] : undefined;
      }
      case 'rim': {
        // A black rim of free air along the lateral wall, edged by the lung's white pleural line.
        const depth = (x - lung.x) * lateral;
        const rim = lung.rx - (large ? 0.1 : 0.06);
        if (y > 0.62) return undefined;
        if (depth >= rim) return tone.lucent;
        return depth >= rim - 0.025 ? tone.wall : undefined;
      }
      case 'round':
        if (finding.signature.count === 'multiple')
          return spots.some((spot) => inEllipse(spot, x, y)) ? tone[density] : undefined;
        if (d <= radius) return tone[density];
        return density === 'lucent' && d <= radius + 0.025 ? tone.wall : undefined;
      case 'ring':
        if (d <= radius * 0.55) return tone.lucent;
        return d <= radius + 0.02 ? tone[density] : undefined;
      case 'band':
        return Math.abs(y - zoneY) <= (large ? 0.05 : 0.032) ? tone[density] : undefined;
    }
  };
  const scene = (x: number, y: number): number => {
    if (!inEllipse(body, x, y)) return tone.air;
    const own = lesion(x, y);
    if (own !== undefined) return own;
    if (inEllipse(heart, x, y)) return tone.heart;
    if (inEllipse(lungs.right, x, y) || inEllipse(lungs.left, x, y)) return tone.lung;
    return tone.tissue;
  };
  const gain = 1 + jitter(0.08);
  const offset = jitter(8);
  const pixels = new Uint8Array(size * size);
  // 2 x 2 supersampling smooths the edges, so shapes stay recognisable at 32 px.
  const sub = [0.25, 0.75];
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (const dy of sub) for (const dx of sub) sum += scene((column + dx) / size, (row + dy) / size);
      const noise = (random.next() + random.next() + random.next() - 1.5) * 10;
      const value = (sum / 4) * gain + offset + noise;
      pixels[row * size + column] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return { width: size, height: size, pixels };
}
