import sharp from 'sharp';

const colours: [string, { r: number; g: number; b: number }][] = [
  ['red', { r: 255, g: 0, b: 0 }],
  ['green', { r: 0, g: 255, b: 0 }],
  ['blue', { r: 0, g: 0, b: 255 }],
];

/**
 * Chat JSONL of solid-colour 56 x 56 PNGs (data URLs) with their colour as the answer: a vision
 * task a tiny Qwen2-VL learns in a few dozen steps. 56 x 56 pixels are 4 image tokens there.
 */
export async function colourExamples(count: number): Promise<string> {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const [name, background] = colours[index % colours.length]!;
    const png = await sharp({ create: { width: 56, height: 56, channels: 3, background } })
      .png()
      .toBuffer();
    lines.push(
      JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
              { type: 'text', text: 'What colour is this?' },
            ],
          },
          { role: 'assistant', content: `It is ${name}.` },
        ],
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}
