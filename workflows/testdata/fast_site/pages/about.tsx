export default function About() {
  return <a href="/">Home</a>;
}
