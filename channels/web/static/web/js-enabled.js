// GOV.UK Frontend's own first line, moved out of the page so the CSP can forbid inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
