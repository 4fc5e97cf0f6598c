import { render } from 'preact';
import '../../assets/style.css';
import { Options } from './Options';
import { i18n } from '#i18n';

document.title = i18n.t('options.docTitle');
render(<Options />, document.getElementById('app')!);
