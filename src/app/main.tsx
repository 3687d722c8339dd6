import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startLab } from './store';
import './styles.css';

startLab(() => new Worker(new URL('../worker/lab.worker.ts', import.meta.url), { type: 'module', name: 'lab-worker' }));

const root = document.getElementById('root');
if (!root) throw new Error('#root missing in index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
