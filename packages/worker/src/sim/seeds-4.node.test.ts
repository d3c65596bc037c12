// Seeds 151–200 of the CI simulation (issue #11); the other files hold the rest.
import { seedSuite } from '../../test/seed-suite.ts'

seedSuite('part 4 of 4', 151, 50)
