import { useEffect, useRef } from 'react';

/**
 * Draws an RGBA image (e.g. a 32×32 prototype or the 320×320 sample grid) scaled with crisp pixels. The canvas is
 * an image to assistive technology (`role="img"`) described by `label`, which is required: say what it shows.
 */
export function RgbaCanvas(props: {
  image: { width: number; height: number; data: Uint8ClampedArray };
  label: string;
  scale?: number;
  title?: string;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { image, scale = 1 } = props;
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const data = new Uint8ClampedArray(image.data);
    ctx.putImageData(new ImageData(data, image.width, image.height), 0, 0);
  }, [image]);
  return (
    <canvas
      ref={ref}
      width={image.width}
      height={image.height}
      title={props.title}
      role="img"
      aria-label={props.label}
      className={`pixelated ${props.className ?? ''}`}
      style={{ width: image.width * scale, height: image.height * scale }}
      data-testid={props.testId}
    />
  );
}
