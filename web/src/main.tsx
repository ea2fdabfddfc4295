/** The web chat page: mounts the app. See web/README.md. */
import { render } from 'preact';
import { App } from './app.js';
import './app.css';

render(<App />, document.getElementById('app')!);
