// Seeds 51–100 of the CI simulation (issue #11); the other files hold the rest.
import { seedSuite } from '../../test/seed-suite.ts'

seedSuite('part 2 of 4', 51, 50)
