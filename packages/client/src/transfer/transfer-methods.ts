import { download, type DownloadOptions } from './download.ts'
import { upload, type UploadedFile, type UploadOptions } from './upload.ts'
import type { TransferInvoke } from './transfer-invoke.ts'

export interface TransferMethods {
  /** Saves `file` in parts over the upload pool; resolves with the InputFile (plain data and boxed TL). */
  upload(file: Blob | ReadableStream<Uint8Array>, options?: UploadOptions): Promise<UploadedFile>
  /** Reads a file over the download pool; `location` is a boxed InputFileLocation from the caller's TL layer. */
  download(location: Uint8Array, options?: DownloadOptions): ReadableStream<Uint8Array>
}

/** upload() and download() over a client's invoke (the worker client's and the leader fallback's alike). */
export function transferMethods(invoke: TransferInvoke): TransferMethods {
  return {
    upload: (file, options) => upload(invoke, file, options),
    download: (location, options) => download(invoke, location, options),
  }
}
