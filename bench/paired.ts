// Paired statistics for A/B runs of CPU per request (bench:ab, bench/layers.ts): the differences
// B − A pair by pair, and an exact two-sided permutation test on their mean (each pair's sign flipped
// in every way), which needs no assumption about the noise's shape. With 7 pairs the smallest p is
// 2/128 ≈ 0.016: a difference is called real only when p < 0.05.

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export function pairedStats(a: number[], b: number[]) {
  const d = a.map((x, i) => b[i]! - x)
  const n = d.length
  const sum = d.reduce((x, y) => x + y, 0)
  let extreme = 0
  for (let mask = 0; mask < 1 << n; mask++) {
    let s = 0
    for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i]! : d[i]!
    if (Math.abs(s) >= Math.abs(sum) - 1e-9) extreme++
  }
  return { n, d, median: median(d), lower: d.filter((x) => x < 0).length, p: extreme / (1 << n) }
}

export { median }
