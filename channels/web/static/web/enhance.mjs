// Only enhancement: every page works without it. GOV.UK Frontend's components
// (Exit this page with Shift pressed three times, exclusive checkboxes, the error summary's focus).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
