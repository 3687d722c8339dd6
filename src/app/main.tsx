import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startLab } from './store';
import { startAudit } from './store/audit';
import './styles.css';

// Offline after a first visit: the build's service worker (src/sw/) precaches the app and its WASM files.
// Only in a build (dev has no dist/sw.js); caching is an optimisation, so a refused registration is ignored.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => undefined);
}

startLab(() => new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab-worker' }));
// the audit's background job runs in a second instance of the lab worker, started on first need (src/app/store/audit.ts)
void startAudit(
  () => new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module', name: 'audit-worker' }),
);

const root = document.getElementById('root');
if (!root) throw new Error('#root missing in index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
