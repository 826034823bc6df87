// The app's entry point: registers <rollout-lab-app>, the shell used by index.html.
import './app/rolloutLabApp.ts';
