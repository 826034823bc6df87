// The app's entry point: registers the elements used by index.html.
import './elements/sampleSizeCalculator.ts';
