import { manualDropout } from 'keras2tfjs'; console.log(manualDropout);
