// For the scripts outside the test suite (benchmarks, the README's pictures)
// that start the built server themselves: resolves once it answers /healthz.
async function waitUntilUp(base) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

module.exports = { waitUntilUp };
