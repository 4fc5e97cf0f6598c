import { render } from 'preact';
import '../../assets/style.css';
import { App } from './App';
import { i18n } from '#i18n';

document.title = i18n.t('app.name');
render(<App />, document.getElementById('app')!);
