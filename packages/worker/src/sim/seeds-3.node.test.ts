// Seeds 101–150 of the CI simulation (issue #11); the other files hold the rest.
import { seedSuite } from '../../test/seed-suite.ts'

seedSuite('part 3 of 4', 101, 50)
