// Only enhancement: every page works without it. GOV.UK Frontend's components
// (the error summary takes focus, so a screen reader hears what went wrong first).
import { initAll } from './build/govuk-frontend.min.js'

initAll()
