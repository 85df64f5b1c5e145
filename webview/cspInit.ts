// Imported first by each webview entry: the CSP shims must be in place before Plotly's module code adds its styles.
import { currentNonce, installCspShims } from './csp';

installCspShims(currentNonce());
