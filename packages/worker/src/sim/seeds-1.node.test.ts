// Seeds 1–50 of the CI simulation (issue #11); the other files hold the rest.
import { seedSuite } from '../../test/seed-suite.ts'

seedSuite('part 1 of 4', 1, 50)
