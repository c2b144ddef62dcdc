/**
 * Chart colours come from the CSS custom properties in styles.css, so the palette lives in one place
 * and canvases match the rest of the page.
 */
export interface ChartTheme {
  line: string;
  fill: string;
  grid: string;
  text: string;
  /** Tick/label size in px: follows the root font size, which styles.css raises on wall screens. */
  fontSize: number;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function chartTheme(): ChartTheme {
  return {
    line: cssVar('--chart-line', '#4cc3ff'),
    fill: cssVar('--chart-fill', 'rgba(76, 195, 255, 0.12)'),
    grid: cssVar('--chart-grid', 'rgba(139, 152, 165, 0.18)'),
    text: cssVar('--muted', '#8b98a5'),
    fontSize: Math.round(0.8 * (Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16)),
  };
}
