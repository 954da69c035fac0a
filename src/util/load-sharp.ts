/** sharp (libvips, native) loads on the first image, not when the package is imported. */
export async function loadSharp(): Promise<typeof import('sharp')> {
  return (await import('sharp')).default;
}
