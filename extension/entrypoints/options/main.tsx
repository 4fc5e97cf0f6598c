import { render } from 'preact';
import '../../assets/style.css';
import { Options } from './Options';

render(<Options />, document.getElementById('app')!);
